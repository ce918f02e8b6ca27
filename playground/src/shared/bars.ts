// Horizontal bar charts in plain HTML: a label, a bar and its value per row, so screen readers
// and tests read the numbers as text.
export interface BarOptions {
  /** the value a full bar stands for (default: the largest value) */
  max?: number;
  format: (value: number) => string;
  /** index of the bar to emphasise */
  highlight?: number;
  color?: string;
}

export function renderBars(container: HTMLElement, labels: string[], values: ArrayLike<number>, options: BarOptions): void {
  const max = options.max ?? Math.max(1e-12, ...Array.from(values));
  if (container.children.length !== labels.length) {
    container.replaceChildren(...labels.map((label) => {
      const row = document.createElement('div');
      row.className = 'bar-row';
      row.innerHTML = '<span class="bar-label"></span><span class="bar-track"><span class="bar-fill"></span></span><span class="bar-value"></span>';
      row.querySelector('.bar-label')!.textContent = label;
      return row;
    }));
  }
  labels.forEach((_, i) => {
    const row = container.children[i] as HTMLElement;
    const fill = row.querySelector<HTMLElement>('.bar-fill')!;
    fill.style.width = `${Math.max(0, Math.min(1, values[i]! / max)) * 100}%`;
    fill.style.background = options.color ?? '';
    row.classList.toggle('highlight', options.highlight === i);
    row.querySelector('.bar-value')!.textContent = options.format(values[i]!);
  });
}
