import type {
  ChatCompletionCreateParamsStreaming,
  ChatCompletionMessageParam,
  ChatCompletionTool,
} from 'openai/resources/chat/completions';
import type { AgentMessage, AgentRequest, AgentToolSpec } from './agent.ts';

/** The streaming chat-completions request for one model call. */
export function chatCompletionRequest(model: string, request: AgentRequest): ChatCompletionCreateParamsStreaming {
  const tools = request.tools.map(chatTool);
  return {
    model,
    messages: request.messages.map(chatMessage),
    // Some compatible servers refuse an empty tool list, so none is sent as no `tools` at all.
    ...(tools.length > 0 ? { tools } : {}),
    stream: true,
    // The last chunk then carries the call's token counts (and no choices).
    stream_options: { include_usage: true },
  };
}

function chatMessage(message: AgentMessage): ChatCompletionMessageParam {
  switch (message.role) {
    case 'user':
      return { role: 'user', content: message.content };
    case 'assistant': {
      const calls = message.toolCalls ?? [];
      if (calls.length === 0) return { role: 'assistant', content: message.content };
      return {
        role: 'assistant',
        // The API documents null, not '', for an assistant turn that only called tools.
        content: message.content === '' ? null : message.content,
        tool_calls: calls.map((call) => ({
          id: call.toolCallId,
          type: 'function',
          function: { name: call.toolName, arguments: call.argsText },
        })),
      };
    }
    case 'tool':
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
  }
}

function chatTool(tool: AgentToolSpec): ChatCompletionTool {
  return {
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: tool.parameters },
  };
}
