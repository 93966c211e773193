import { createInterface } from 'node:readline';

/** Reads a password: hidden prompt (asked twice) on a terminal, else the first line of stdin. */
export async function readPassword(question: string): Promise<string> {
  if (!process.stdin.isTTY) return readFirstLine();
  const first = await askHidden(`${question}: `);
  const second = await askHidden(`${question} (again): `);
  if (first !== second) throw new Error('the two passwords differ');
  return first;
}

function askHidden(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const internal = rl as unknown as { _writeToOutput: (s: string) => void };
  let prompted = false;
  internal._writeToOutput = (s: string) => {
    if (!prompted) process.stdout.write(s);
    prompted = true;
  };
  return new Promise((resolve) =>
    rl.question(question, (answer) => {
      rl.close();
      process.stdout.write('\n');
      resolve(answer);
    }),
  );
}

async function readFirstLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    rl.close();
    return line;
  }
  return '';
}
