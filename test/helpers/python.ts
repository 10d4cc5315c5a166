import { execFileSync } from 'node:child_process';

let interpreter: string | undefined;

/**
 * The python3 the tests' stand-ins for CCCC run with: the real interpreter behind `python3`, found
 * once, because a launcher or shim (pyenv) costs ~0.3 s of CPU on every start.
 */
export function python(): string {
  if (interpreter === undefined) {
    try {
      interpreter = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim() || 'python3';
    } catch {
      interpreter = 'python3';
    }
  }
  return interpreter;
}
