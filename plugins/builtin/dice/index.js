// reef.dice: a built-in plugin, written like any third-party one (see plugins/sdk/README.md).
// Runs in an isolate: no Node globals; it reaches the space only through ctx (granted: messages).

const DICE = /^\s*(\d{0,3})d(\d{1,4})\s*([+-]\s*\d{1,5})?\s*$/i;

function parse(spec, cfg) {
  if (!spec) return { count: 1, sides: cfg.sides, mod: 0 };
  const m = DICE.exec(spec);
  if (!m) return null;
  const count = m[1] ? Number(m[1]) : 1;
  const sides = Number(m[2]);
  const mod = m[3] ? Number(m[3].replace(/\s+/g, '')) : 0;
  if (count < 1 || count > cfg.maxDice || sides < 2) return null;
  return { count, sides, mod };
}

export default {
  commands: {
    async roll(event, ctx) {
      const spec = event.args && event.args.dice ? String(event.args.dice) : '';
      const d = parse(spec, ctx.config);
      if (!d)
        return { reply: `Cannot roll "${spec}": use NdS+M, e.g. 2d6+1 (at most ${ctx.config.maxDice} dice)` };
      const rolls = [];
      for (let i = 0; i < d.count; i++) rolls.push(1 + Math.floor(Math.random() * d.sides));
      const total = rolls.reduce((a, b) => a + b, 0) + d.mod;
      const label = `${d.count}d${d.sides}${d.mod ? (d.mod > 0 ? '+' : '') + d.mod : ''}`;
      const who = event.username ? `@${event.username}` : 'Someone';
      const content = `🎲 ${who} rolled ${label}: ${rolls.join(' + ')}${d.mod ? ` (${d.mod > 0 ? '+' : ''}${d.mod})` : ''} = ${total}`;
      if (event.channelId) await ctx.messages.send({ channelId: event.channelId, content });
      return { rolls, total, content };
    },
    async flip(event, ctx) {
      const side = Math.random() < 0.5 ? 'heads' : 'tails';
      const content = `🪙 ${event.username ? '@' + event.username : 'Someone'} flipped ${side}`;
      if (event.channelId) await ctx.messages.send({ channelId: event.channelId, content });
      return { side, content };
    },
  },
};
