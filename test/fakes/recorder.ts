/** What a fake provider received, with a way to wait for a matching request. */
export class Recorder<T> {
  readonly items: T[] = [];
  private waiters: Array<() => void> = [];

  push(item: T): void {
    this.items.push(item);
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolve with the first `count` items matching `pred`, or reject after `timeoutMs`. */
  async waitFor(pred: (item: T) => boolean, count = 1, timeoutMs = 5000): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.items.filter(pred);
      if (found.length >= count) return found.slice(0, count);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`expected ${count} matching request(s), saw ${found.length} within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }
}
