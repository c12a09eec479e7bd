import type { FinishReason, Usage } from '@threadcast/contract';

const finishLabels: Record<FinishReason, string | null> = {
  stop: null,
  'tool-calls': null,
  length: 'cut off at the length limit',
  'content-filter': 'stopped by the content filter',
  error: 'stopped by an error',
  other: 'stopped',
};

/** What the provider said about a finished reply: model, tokens, and why it stopped when that is news. */
export function ReplyMeta({
  model,
  usage,
  finishReason,
}: {
  model?: string | null | undefined;
  usage?: Usage | null | undefined;
  finishReason?: FinishReason | null | undefined;
}) {
  const items = [
    model,
    usage && `${usage.inputTokens.toLocaleString()} in · ${usage.outputTokens.toLocaleString()} out tokens`,
    finishReason && finishLabels[finishReason],
  ].filter((item): item is string => Boolean(item));
  if (items.length === 0) return null;
  return <p className="reply-meta">{items.join(' · ')}</p>;
}
