import { DEFAULT_PROMPT_MAX_CHARS } from '@threadcast/contract';
import { type FormEvent, type KeyboardEvent, useId } from 'react';

/**
 * The prompt box. Enter sends and Shift+Enter starts a new line (an IME composition's Enter is left to the
 * IME); while a run streams, Stop cancels it.
 */
export function Composer({
  prompt,
  onPromptChange,
  canSend,
  onSend,
  streaming,
  stopping,
  onStop,
}: {
  prompt: string;
  onPromptChange: (prompt: string) => void;
  canSend: boolean;
  onSend: () => void;
  streaming: boolean;
  stopping: boolean;
  onStop: () => void;
}) {
  const hintId = useId();
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (canSend) onSend();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key !== 'Enter' || event.shiftKey || event.nativeEvent.isComposing) return;
    event.preventDefault();
    if (canSend) onSend();
  };
  return (
    <form className="composer" onSubmit={submit}>
      <label className="visually-hidden" htmlFor={`${hintId}-prompt`}>
        Prompt
      </label>
      <textarea
        id={`${hintId}-prompt`}
        value={prompt}
        onChange={(e) => onPromptChange(e.target.value)}
        onKeyDown={onKeyDown}
        rows={2}
        maxLength={DEFAULT_PROMPT_MAX_CHARS}
        placeholder="Ask something…"
        aria-describedby={hintId}
      />
      <div className="composer-actions">
        <span id={hintId} className="hint">
          Enter to send · Shift+Enter for a new line
        </span>
        {streaming && (
          <button type="button" className="secondary" disabled={stopping} onClick={onStop}>
            Stop
          </button>
        )}
        <button type="submit" disabled={!canSend}>
          Send
        </button>
      </div>
    </form>
  );
}
