/** What a user entry may be, shared by `/api/users` and the settings file: names, roles, passwords. */
import { ROLES, type Role } from '@riohub/hub-api';
import { z } from 'zod';

export const USER_NAME = /^[A-Za-z0-9_.@-]{1,64}$/;
export const roleSchema = z.enum(ROLES as [Role, ...Role[]], 'must be viewer, operator or admin');
export const userPasswordSchema = z.string().min(8, 'must be at least 8 characters').max(256, 'must be at most 256 characters');
export const createUserSchema = z
  .object({ name: z.string().regex(USER_NAME, 'must be 1 to 64 letters, digits or _ . @ -'), role: roleSchema, password: userPasswordSchema })
  .strict();
export const updateUserSchema = z.object({ role: roleSchema.optional(), password: userPasswordSchema.optional() }).strict();
