import { threadcast } from '@threadcast/react';
import { type FormEvent, useState } from 'react';
import type { Session } from '../session.ts';

export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [name, setName] = useState('');
  const login = threadcast.auth.devLogin.useMutation({
    // The server set the session cookie; only who we are is kept here.
    onSuccess: ({ userId }) => onSignedIn({ name: name.trim(), userId }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate({ name });
  };
  return (
    <form className="signin" onSubmit={submit}>
      <h1>threadcast</h1>
      <label>
        Your name
        <input value={name} onChange={(e) => setName(e.target.value)} autoComplete="username" required />
      </label>
      <button type="submit" disabled={login.isPending}>
        Sign in
      </button>
      {login.error && <p role="alert">{login.error.message}</p>}
    </form>
  );
}
