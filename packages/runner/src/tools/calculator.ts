import { z } from 'zod';
import { evaluateArithmetic } from './arithmetic.ts';
import { defineTool } from './tool.ts';

export const calculatorTool = defineTool({
  name: 'calculator',
  description: 'Works out an arithmetic expression exactly: + - * / ^ (power), parentheses, decimals and unary minus.',
  inputSchema: z.object({
    expression: z.string().min(1).max(500).describe('The expression, e.g. "(2 + 3) * 4 ^ 2 / -8"'),
  }),
  execute: async ({ expression }) => ({ expression, result: evaluateArithmetic(expression) }),
  timeoutMs: 1_000,
});
