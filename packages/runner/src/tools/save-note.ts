import { z } from 'zod';
import { defineTool } from './tool.ts';

/** A harmless tool that still asks first: the note lands in the run's output (its tool part), nowhere else. */
export const saveNoteTool = defineTool({
  name: 'save_note',
  description: 'Saves a short note in the conversation. The user approves each note before it is saved.',
  inputSchema: z.object({ note: z.string().min(1).max(500).describe('The note, at most 500 characters') }),
  execute: async ({ note }) => ({ saved: true, note }),
  needsApproval: true,
  timeoutMs: 1_000,
});
