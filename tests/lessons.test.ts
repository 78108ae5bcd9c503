import { describe, expect, it } from 'vitest';
import { MessageLimits } from '../src/discord/facts.js';
import { LESSONS, type LessonId, lessonById } from '../src/lessons/lessons.js';

const IDS = [
  'event-loop',
  'blocking',
  'async-await',
  'offloading',
  'deadline',
  'threads-async-goroutines',
  'why-failed',
  'sharding',
  'yielding',
] as const;

const EXPECTED_TRY_IT: Record<LessonId, { command: string; options: Record<string, unknown> }> = {
  'event-loop': { command: 'lag', options: {} },
  blocking: { command: 'block', options: { ms: 2000 } },
  'async-await': { command: 'io', options: { ms: 1000, kind: 'timer' } },
  offloading: { command: 'nonblock', options: { ms: 2000, work: 'cpu' } },
  deadline: { command: 'block', options: { ms: 3500 } },
  'threads-async-goroutines': { command: 'compare', options: { ms: 1500, work: 'cpu' } },
  'why-failed': { command: 'block', options: { ms: 3500, work: 'sleep' } },
  yielding: { command: 'yield', options: { ms: 3000, work: 'cpu', slice: 10, defer: true } },
  sharding: { command: 'lag', options: {} },
};

const FENCE = '```';

function renderEmbed(lesson: (typeof LESSONS)[number]): { title: string; description: string } {
  const description = [
    lesson.summary,
    lesson.body,
    `${FENCE}js\n${lesson.node}\n${FENCE}`,
    `${FENCE}py\n${lesson.python}\n${FENCE}`,
  ].join('\n\n');
  return { title: lesson.title, description };
}

// Compile-time checks: LessonId is a literal union, not string.
const known: LessonId = 'yielding';
// @ts-expect-error not a lesson id
const unknown: LessonId = 'not-a-lesson';
void known;
void unknown;

describe('LESSONS', () => {
  it('has exactly the nine lessons, in order, with unique ids', () => {
    expect(LESSONS.map((l) => l.id)).toEqual([...IDS]);
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length);
  });

  it('lessonById finds each lesson and rejects unknown ids', () => {
    for (const lesson of LESSONS) expect(lessonById(lesson.id)).toBe(lesson);
    expect(lessonById('nope')).toBeUndefined();
    expect(lessonById('')).toBeUndefined();
  });

  describe.each(LESSONS.map((l) => [l.id, l] as const))('%s', (_id, lesson) => {
    it('keeps every text within its limit', () => {
      expect(lesson.title.length).toBeGreaterThan(0);
      expect(lesson.title.length).toBeLessThanOrEqual(60);
      expect(lesson.summary.length).toBeGreaterThan(0);
      expect(lesson.summary.length).toBeLessThanOrEqual(150);
      expect(lesson.body.length).toBeGreaterThan(0);
      expect(lesson.body.length).toBeLessThanOrEqual(1500);
      expect(lesson.node.length).toBeGreaterThan(0);
      expect(lesson.node.length).toBeLessThanOrEqual(600);
      expect(lesson.python.length).toBeGreaterThan(0);
      expect(lesson.python.length).toBeLessThanOrEqual(600);
    });

    it('has a one-line summary and no code fences of its own', () => {
      expect(lesson.summary).not.toContain('\n');
      expect(lesson.summary.trim()).toBe(lesson.summary);
      for (const text of [lesson.title, lesson.summary, lesson.body, lesson.node, lesson.python]) {
        expect(text).not.toContain(FENCE);
      }
      expect(lesson.node.trim()).toBe(lesson.node);
      expect(lesson.python.trim()).toBe(lesson.python);
    });

    it('has a matching try-it demo with valid options', () => {
      const expected = EXPECTED_TRY_IT[lesson.id];
      expect(lesson.tryIt.command).toBe(expected.command);
      expect(lesson.tryIt.options).toMatchObject(expected.options);
      expect(lesson.tryIt.label.length).toBeGreaterThan(0);
      expect(lesson.tryIt.label.length).toBeLessThanOrEqual(40);
      expect(lesson.tryIt.label).toContain(`/${lesson.tryIt.command}`);
      const options: Record<string, string | number | boolean> = lesson.tryIt.options;
      for (const key of ['ms', 'slice']) {
        const value = options[key];
        if (value === undefined) continue;
        expect(Number.isInteger(value)).toBe(true);
        expect(value).toBeGreaterThanOrEqual(1);
        expect(value).toBeLessThanOrEqual(10_000);
      }
    });

    it('renders into an embed within Discord limits', () => {
      const { title, description } = renderEmbed(lesson);
      expect(title.length).toBeLessThanOrEqual(MessageLimits.embedTitle);
      expect(description.length).toBeLessThan(MessageLimits.embedDescription);
      expect(title.length + description.length).toBeLessThan(MessageLimits.embedTotalChars);
    });
  });
});
