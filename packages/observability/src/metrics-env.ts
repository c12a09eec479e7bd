import { hostname } from 'node:os';
import { emptyAsUnset } from '@threadcast/common/env';
import { z } from 'zod';

/** Environment variables of the metrics, shared by every app's `env.ts`. */
export const metricsEnvShape = {
  /** The `instance_id` label of every series: a stable name for this process (a pod name); the host name by default. */
  INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._:-]{1,128}$/, 'INSTANCE_ID: letters, digits, . _ : - (at most 128)')
    .default(() => hostname()),
  /** When set, `/metrics` answers only scrapes that send `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: emptyAsUnset(z.string().min(16, 'METRICS_TOKEN must be at least 16 characters').optional()),
};
