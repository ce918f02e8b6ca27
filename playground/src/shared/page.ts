// The frame every page shares: the backend readout in the header, the notice shown when the page
// is not cross-origin isolated (mlpx then trains on one thread), and a place for errors.
import type { BackendReport } from './backend-info.js';

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (found === null) throw new Error(`the page has no #${id}`);
  return found as T;
}

/** Show what mlpx trains on; the readout's data attributes let tests read it too. */
export function showBackend(report: BackendReport): void {
  const readout = element<HTMLOutputElement>('backend');
  const threads = `${report.threads} thread${report.threads === 1 ? '' : 's'}`;
  readout.textContent = `mlpx ${report.name} · ${report.kernelPath.split(' ')[0]} · ${threads}`;
  readout.title = report.notes.join('\n');
  Object.assign(readout.dataset, { backend: report.name, threads: String(report.threads), isolated: String(report.isolated) });
  const notice = element<HTMLParagraphElement>('isolation-notice');
  notice.hidden = report.isolated;
  if (!report.isolated) {
    notice.textContent = `This page is not cross-origin isolated, so mlpx trains on one thread (no SharedArrayBuffer for worker threads). ` +
      `Serve it with the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp to train on ${navigator.hardwareConcurrency} threads.`;
  }
}

/** Training speed beside the backend: updates (optimizer steps) per second, or another unit. */
export function showRate(value: number, unit = 'steps/s'): void {
  const rate = element<HTMLOutputElement>('rate');
  rate.textContent = `${formatCount(value)} ${unit}`;
  rate.dataset['value'] = String(value);
}

export function formatCount(value: number): string {
  return value >= 100 ? Math.round(value).toLocaleString('en-US') : value.toPrecision(3);
}

/** An error the page cannot recover from by itself (training errors are shown where they happen). */
export function showError(message: string): void {
  const box = element<HTMLParagraphElement>('error');
  box.textContent = message;
  box.hidden = false;
}

export function clearError(): void {
  element<HTMLParagraphElement>('error').hidden = true;
}

/** A start/stop button: its label and aria-pressed follow whether its job runs. */
export function setRunning(id: string, running: boolean, labels: { idle: string; running: string }): void {
  const button = element<HTMLButtonElement>(id);
  button.textContent = running ? labels.running : labels.idle;
  button.setAttribute('aria-pressed', String(running));
}

/** A number from a form field, or an error naming the field's label and the range it must be in. */
export function numberInput(id: string, low: number, high: number): number {
  const input = element<HTMLInputElement | HTMLSelectElement>(id);
  const value = Number(input.value);
  if (!(value >= low && value <= high)) {
    const name = input.closest('label')?.firstChild?.textContent?.trim() || id;
    throw new Error(`${name}: expected a number from ${low} to ${high}, got "${input.value}"`);
  }
  return value;
}

export { element };
