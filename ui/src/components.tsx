import type { ComponentChildren } from 'preact';

export function Field(props: {
  id: string;
  label: string;
  type?: 'text' | 'password';
  value: string;
  autocomplete?: string;
  onInput: (value: string) => void;
}) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <input
        id={props.id}
        name={props.id}
        {...(props.type === 'password' ? { type: 'password' as const } : { type: 'text' as const })}
        value={props.value}
        autocomplete={props.autocomplete}
        required
        onInput={(e) => props.onInput((e.target as HTMLInputElement).value)}
      />
    </div>
  );
}

export function ErrorText(props: { message: string | undefined }) {
  return (
    <p class="error" role="alert" aria-live="assertive">
      {props.message ?? ''}
    </p>
  );
}

export function Card(props: { title: string; children: ComponentChildren }) {
  return (
    <section class="card" aria-label={props.title}>
      <h2>{props.title}</h2>
      {props.children}
    </section>
  );
}
