/** The class: students the page acts as, kept in this browser. */

const KEY = 'looplab.students';
const DEFAULT = ['alice', 'bob', 'carol'];
const NAME = /^[\w.-]{1,32}$/;

export function loadStudents(): string[] {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? 'null') as unknown;
    if (
      Array.isArray(saved) &&
      saved.length > 0 &&
      saved.every((s) => typeof s === 'string' && NAME.test(s))
    ) {
      return saved as string[];
    }
  } catch {
    // A broken entry: start again with the defaults.
  }
  return [...DEFAULT];
}

export function saveStudents(students: readonly string[]): void {
  try {
    localStorage.setItem(KEY, JSON.stringify(students));
  } catch {
    // Private mode: the class lives as long as the tab.
  }
}

/** A user name as the sandbox takes it, or a reason it cannot be one. */
export function checkName(raw: string): { ok: true; name: string } | { ok: false; why: string } {
  const name = raw.trim().toLowerCase().replace(/\s+/g, '-');
  if (!NAME.test(name)) return { ok: false, why: 'A name is 1-32 letters, digits, "_", "." or "-".' };
  return { ok: true, name };
}

export function displayName(name: string): string {
  return name.charAt(0).toUpperCase() + name.slice(1);
}

const COLOURS = ['#5865f2', '#3ba55c', '#faa61a', '#ed4245', '#eb459e', '#57f287', '#1abc9c', '#e67e22'];

/** A stable avatar colour per name, like Discord's default avatars. */
export function avatarColour(name: string): string {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return COLOURS[h % COLOURS.length] ?? '#5865f2';
}
