/** Spec "Push Notification Devices": POST /devices/register. */
import * as v from 'valibot';
import { str } from '../../http/validate.ts';

export const RegisterDeviceInput = v.object({
  token: str(1, 4096),
  platform: v.picklist(['ios', 'android'], 'must be ios or android'),
  appVersion: v.optional(v.nullable(str(0, 64))),
  tokenType: v.optional(v.picklist(['standard', 'voip'], 'must be standard or voip'), 'standard'),
});
export type RegisterDeviceInput = v.InferOutput<typeof RegisterDeviceInput>;
