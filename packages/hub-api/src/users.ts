/** Operators of the hub and what each role may do. */

export type Role = 'viewer' | 'operator' | 'admin';

export const ROLES: readonly Role[] = ['viewer', 'operator', 'admin'];

/** Whether a user with `role` may do what needs `needed` (admin ⊃ operator ⊃ viewer). */
export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export interface User {
  name: string;
  role: Role;
}

export interface UserInput {
  name: string;
  role: Role;
  password: string;
}

export interface SignIn {
  name: string;
  password: string;
}
