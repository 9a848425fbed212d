/**
 * The dashboard's input parsing (web/ids.js, a plain module with no page state): separators,
 * Prolific app links, ids no dataset could have, and the #ids= fragment.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseInput, idFromLink, isPossibleId, idsFromHash, hashFor, hashHasIds } from '../web/ids.js';

test('spaces, commas, semicolons, quotes, tabs and new lines separate ids', () => {
  assert.deepEqual(parseInput('a b,c;d\te\n"f" \'g\' “h”').ids, ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
});

test('a Prolific app link gives its dataset id; a link to no dataset is said so', () => {
  const id = '65f1c0a4e1b2c3d4e5f60718';
  assert.equal(idFromLink(`https://app.prolific.com/researcher/workspaces/w1/ai-task-builder/datasets/${id}`), id);
  assert.equal(idFromLink(`https://app.prolific.com/researcher/datasets/${id}/?tab=imports#top`), id);
  assert.equal(idFromLink(`app.prolific.com/datasets/${id}`), id);
  assert.equal(idFromLink('https://app.prolific.com/researcher/studies'), null);
  assert.equal(idFromLink('https://app.prolific.com/datasets/..%2Fx'), null);
  assert.equal(idFromLink('plain-id'), undefined);
  const parsed = parseInput(`https://app.prolific.com/datasets/${id} https://example.com/x other`);
  assert.deepEqual(parsed, { ids: [id, 'other'], fromLinks: 1, refused: [], badLinks: ['https://example.com/x'] });
});

test('ids no dataset could have are refused', () => {
  for (const bad of ['../x', '..', '.', 'a/b', 'a?b', 'a%2Fb', '<img>', 'x'.repeat(257), '']) {
    assert.equal(isPossibleId(bad), false, bad);
  }
  for (const good of ['demo-ready', '65f1c0a4e1b2c3d4e5f60718', '0b5c7c3e-8f4e-4c1a-9a43-6f2b1f0e2a11', 'a.b_c~d']) {
    assert.equal(isPossibleId(good), true, good);
  }
  assert.deepEqual(parseInput('ok ../x').refused, ['../x']);
});

test('the #ids= fragment round-trips, and a badly encoded piece comes back as written', () => {
  const ids = ['a', 'b.c', 'd-e'];
  assert.deepEqual(idsFromHash(hashFor(ids)), ids);
  assert.equal(hashFor([]), '');
  assert.equal(hashHasIds('#x=1&ids='), true);
  assert.equal(hashHasIds('#top'), false);
  assert.deepEqual(idsFromHash('#ids=a,%E0%A4%A,b'), ['a', '%E0%A4%A', 'b']);
});
