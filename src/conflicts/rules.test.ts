import { describe, expect, it } from 'vitest';
import { conflictsInTeam } from './rules.js';

describe('conflictsInTeam', () => {
  const conflicts = [
    { personId: 'ann', personName: 'Ann', providerId: 'home', description: 'Worked there until 2023' },
    { personId: 'bob', personName: 'Bob', providerId: 'elsewhere', description: 'Friend of the owner' },
  ];

  it('names each conflicted member against their place in the team', () => {
    expect(conflictsInTeam('home', 'cat', ['bob', 'ann'], conflicts)).toEqual([
      {
        field: 'team.1',
        message: 'Ann has declared a conflict of interest with this provider: Worked there until 2023',
      },
    ]);
    expect(conflictsInTeam('home', 'ann', [], conflicts)[0]!.field).toBe('leadInspectorId');
  });

  it('finds nothing when no one declared a connection to this provider', () => {
    expect(conflictsInTeam('elsewhere-else', 'ann', ['bob'], conflicts)).toEqual([]);
  });
});
