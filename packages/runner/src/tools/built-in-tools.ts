import { calculatorTool } from './calculator.ts';
import { clockTool } from './clock.ts';
import { saveNoteTool } from './save-note.ts';
import { createToolRegistry, type Tool } from './tool.ts';

export const builtInTools: readonly Tool[] = [calculatorTool, clockTool, saveNoteTool] as Tool[];

/** The registry a worker uses unless told otherwise. */
export const builtInToolRegistry = createToolRegistry(builtInTools);
