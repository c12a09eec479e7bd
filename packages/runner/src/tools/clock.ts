import { z } from 'zod';
import { defineTool } from './tool.ts';

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const clockTool = defineTool({
  name: 'clock',
  description: 'The current date and time in an IANA time zone (such as "Europe/Paris" or "UTC").',
  inputSchema: z.object({
    timeZone: z
      .string()
      .min(1)
      .max(64)
      .refine(isTimeZone, {
        error: (issue) => `unknown time zone ${JSON.stringify(issue.input)}: use an IANA name such as "Europe/Paris"`,
      })
      .describe('An IANA time zone name'),
  }),
  execute: async ({ timeZone }) => {
    const now = new Date();
    const local = new Intl.DateTimeFormat('en-GB', { timeZone, dateStyle: 'full', timeStyle: 'long' }).format(now);
    return { timeZone, iso: now.toISOString(), local };
  },
  timeoutMs: 1_000,
});
