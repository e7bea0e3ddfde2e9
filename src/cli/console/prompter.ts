import { ConsoleCancelled, isPromptExit } from './cancelled.ts';

/**
 * The few prompt kinds the console uses, over inquirer's prompt API (`inquirer.prompt`, one
 * question at a time, so every answer can shape the next question). inquirer is loaded here, when
 * the console starts, never by the CLI's other commands. Ctrl-C at any prompt becomes
 * ConsoleCancelled (exit 130).
 */
export interface Choice<T> {
  readonly value: T;
  readonly name: string;
  /** Shown after the prompt once answered (default: the name). */
  readonly short?: string;
  /** Shown under the list while the choice is highlighted. */
  readonly description?: string;
  /** A choice that cannot be picked; a string says why. */
  readonly disabled?: boolean | string;
  readonly checked?: boolean;
}

export type Validate = (text: string) => true | string;

export interface Prompter {
  select<T>(message: string, choices: ReadonlyArray<Choice<T>>, initial?: T): Promise<T>;
  /** At least one choice must be picked. */
  checkbox<T>(message: string, choices: ReadonlyArray<Choice<T>>): Promise<T[]>;
  input(message: string, initial: string, validate?: Validate): Promise<string>;
  confirm(message: string, initial: boolean): Promise<boolean>;
  /** A line (or lines) of text between the prompts. */
  say(text: string): void;
}

type Ask = (questions: Record<string, unknown>[]) => Promise<Record<string, unknown>>;

export async function inquirerPrompter(out: NodeJS.WriteStream = process.stdout): Promise<Prompter> {
  const { default: inquirer } = await import('inquirer');
  const prompt = inquirer.prompt as unknown as Ask;
  const ask = async <T>(q: Record<string, unknown>): Promise<T> => {
    try {
      const a = await prompt([{ name: 'answer', ...q }]);
      return a.answer as T;
    } catch (e) {
      if (isPromptExit(e)) throw new ConsoleCancelled();
      throw e;
    }
  };
  return {
    select: (message, choices, initial) => ask({ type: 'select', message, choices: [...choices], default: initial, pageSize: 10, loop: false }),
    checkbox: (message, choices) => ask({ type: 'checkbox', message, choices: [...choices], required: true, pageSize: 10, loop: false }),
    input: (message, initial, validate) => ask({ type: 'input', message, default: initial, ...(validate ? { validate } : {}) }),
    confirm: (message, initial) => ask({ type: 'confirm', message, default: initial }),
    say: (text) => void out.write(text.endsWith('\n') ? text : `${text}\n`),
  };
}
