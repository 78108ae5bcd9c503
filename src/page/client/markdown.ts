/** The part of Discord's markdown the bot's messages use, turned into safe DOM (text is never HTML). */

/** Appends `text`, rendered, to `into`. */
export function renderMarkdown(into: HTMLElement, text: string): void {
  const blocks = text.split(/```/);
  blocks.forEach((block, i) => {
    if (i % 2 === 1) {
      const pre = document.createElement('pre');
      const code = document.createElement('code');
      // The first line of a fenced block may name its language.
      code.textContent = block.replace(/^[a-z0-9+-]*\n/i, '');
      pre.append(code);
      into.append(pre);
      return;
    }
    const lines = block.split('\n');
    lines.forEach((line, j) => {
      if (j > 0) into.append(document.createElement('br'));
      let target: HTMLElement = into;
      let rest = line;
      const heading = /^(#{1,3}) (.*)$/.exec(rest);
      const quote = /^> ?(.*)$/.exec(rest);
      const small = /^-# (.*)$/.exec(rest);
      if (/^\*\*Why:?\*\*/.test(rest)) {
        // The doctor's cause line, marked so a class sees it at once.
        target = document.createElement('span');
        target.className = 'why-line';
        into.append(target);
      } else if (small) {
        target = document.createElement('small');
        rest = small[1] ?? '';
        into.append(target);
      } else if (heading) {
        target = document.createElement('strong');
        target.className = `md-h${heading[1]?.length ?? 1}`;
        rest = heading[2] ?? '';
        into.append(target);
      } else if (quote) {
        target = document.createElement('span');
        target.className = 'md-quote';
        rest = quote[1] ?? '';
        into.append(target);
      }
      inline(target, rest);
    });
  });
}

const INLINE =
  /(`[^`]+`)|(\*\*[^*]+\*\*)|(__[^_]+__)|(\*[^*\s][^*]*\*)|(_[^_\s][^_]*_)|(\[[^\]]+\]\([^)\s]+\))/;

function inline(into: HTMLElement, text: string): void {
  let rest = text;
  while (rest.length > 0) {
    const m = INLINE.exec(rest);
    if (!m) {
      into.append(rest);
      return;
    }
    if (m.index > 0) into.append(rest.slice(0, m.index));
    const token = m[0];
    let el: HTMLElement;
    if (m[1]) {
      el = document.createElement('code');
      el.textContent = token.slice(1, -1);
    } else if (m[2]) {
      el = document.createElement('strong');
      inline(el, token.slice(2, -2));
    } else if (m[3]) {
      el = document.createElement('u');
      inline(el, token.slice(2, -2));
    } else if (m[4] || m[5]) {
      el = document.createElement('em');
      inline(el, token.slice(1, -1));
    } else {
      const link = /^\[([^\]]+)\]\(([^)\s]+)\)$/.exec(token);
      const a = document.createElement('a');
      a.textContent = link?.[1] ?? token;
      const href = link?.[2] ?? '';
      if (/^https?:\/\//.test(href)) {
        a.href = href;
        a.target = '_blank';
        a.rel = 'noopener noreferrer';
      }
      el = a;
    }
    into.append(el);
    rest = rest.slice(m.index + token.length);
  }
}
