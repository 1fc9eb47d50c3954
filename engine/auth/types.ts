/** The authenticated caller, as every layer sees it. */
export interface AuthUser {
  id: string;
  username: string;
  isAdmin: boolean;
}
