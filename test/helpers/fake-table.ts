// The fake pack's rubric as plain data, for tests that build it themselves
// (a broken defineRubric must fail a test, not the loading of a file).
export const fakeTable = {
  areas: [
    { id: 'core', title: 'Core', bonus: false },
    { id: 'extra', title: 'Extra', bonus: true },
  ],
  lines: [
    { id: 'core.one', area: 'core', title: 'First line' },
    { id: 'core.two', area: 'core', title: 'Second line' },
    { id: 'extra.three', area: 'extra', title: 'Bonus line' },
  ],
  checks: [
    { id: 'core.one.a', points: 6, requirement: 'one a holds', observed: 'wire' as const },
    { id: 'core.one.b', points: 4, requirement: 'one b holds', observed: 'wire' as const },
    { id: 'core.two.a', points: 10, requirement: 'two a holds', observed: 'gui' as const },
    { id: 'extra.three.a', points: 5, requirement: 'three a holds', observed: 'static' as const },
  ],
};
