/** Operators of the hub and what each role may do; what a user entry and a sign-in may be. */
import { z } from 'zod';

export const ROLES = ['viewer', 'operator', 'admin'] as const;

export const roleSchema = z.enum(ROLES, 'must be viewer, operator or admin');
export type Role = z.infer<typeof roleSchema>;

/** Whether a user with `role` may do what needs `needed` (admin ⊃ operator ⊃ viewer). */
export function roleAllows(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed);
}

export const USER_NAME = /^[A-Za-z0-9_.@-]{1,64}$/;
export const userPasswordSchema = z.string().min(8, 'must be at least 8 characters').max(256, 'must be at most 256 characters');

export const userSchema = z.object({ name: z.string(), role: roleSchema }).meta({ id: 'User' });
export type User = z.infer<typeof userSchema>;

/** A new user (`POST /api/users`, an entry of the settings file). */
export const userInputSchema = z
  .object({ name: z.string().regex(USER_NAME, 'must be 1 to 64 letters, digits or _ . @ -'), role: roleSchema, password: userPasswordSchema })
  .strict()
  .meta({ id: 'NewUser' });
export type UserInput = z.infer<typeof userInputSchema>;

/** A change of a user: a new role, a new password (which ends the user's sessions), or both. */
export const userChangeSchema = z.object({ role: roleSchema.optional(), password: userPasswordSchema.optional() }).strict().meta({ id: 'UserChange' });
export type UserChange = z.infer<typeof userChangeSchema>;

export const signInSchema = z.object({ name: z.string().min(1).max(64), password: z.string().min(1).max(256) }).strict().meta({ id: 'SignIn' });
export type SignIn = z.infer<typeof signInSchema>;
