/** Spec "Push Notification Devices": POST /devices/register. */
import * as v from 'valibot';
import { str } from '../../http/validate.ts';

export const RegisterDeviceInput = v.pipe(
  v.object({
    token: str(1, 4096),
    // `web` (an FCM web token) is an addition to the spec's ios | android.
    platform: v.picklist(['ios', 'android', 'web'], 'must be ios, android or web'),
    appVersion: v.optional(v.nullable(str(0, 64))),
    tokenType: v.optional(v.picklist(['standard', 'voip'], 'must be standard or voip'), 'standard'),
  }),
  v.forward(
    v.check((d) => d.tokenType !== 'voip' || d.platform === 'ios', 'voip tokens are iOS only (PushKit)'),
    ['tokenType'],
  ),
);
export type RegisterDeviceInput = v.InferOutput<typeof RegisterDeviceInput>;
