// What every page of the playground shares, put into each page's HTML by Vite (at build and in
// the dev server): the head's common tags in place of <!-- head -->, and in place of
// <!-- header --> the header with the page links and the backend readout, the notice shown when
// the page is not cross-origin isolated, and the error box.
import path from 'node:path';
import type { Plugin } from 'vite';

const LINKS = [
  { page: 'classify', title: 'Classify 2-D points' },
  { page: 'digits', title: 'Digits' },
  { page: 'optimise', title: 'Learning as optimisation' },
];

const HEAD = `<meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <link rel="icon" href="data:,">`;

function header(current: string): string {
  const links = LINKS.map(({ page, title }) => `<a href="./${page}.html"${page === current ? ' aria-current="page"' : ''}>${title}</a>`).join('\n      ');
  return `<header class="top">
    <a class="brand" href="./index.html">mlpx playground</a>
    <nav aria-label="Pages">
      ${links}
    </nav>
    <div class="readouts"><output id="backend">loading mlpx…</output><output id="rate"></output></div>
  </header>
  <p id="isolation-notice" class="notice" hidden></p>
  <p id="error" class="error" role="alert" hidden></p>`;
}

export function pageFrame(): Plugin {
  return {
    name: 'mlpx-page-frame',
    transformIndexHtml(html, context) {
      const page = path.basename(context.filename, '.html');
      return html.replace('<!-- head -->', HEAD).replace('<!-- header -->', header(page));
    },
  };
}
