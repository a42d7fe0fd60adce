import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { conditionTitle, ownershipMarker } from '../../src/names/ownership.ts';
import { descriptionWithoutMarker, ownerFromConditionTitle, ownerFromDescription, ownerFromLabels } from '../../src/names/ownership.ts';

// The marks are written and read back by src/names/ownership.ts: pin the round trip.
test('description marker written by ownershipMarker reads back as its owner', () => {
  for (const owner of [{ product: 'ml-batch', client: 'acme-corp' }, { product: 'ml-batch' }, { product: 'p1', client: 'c_2' }]) {
    const description = `Uploads inputs of Acme. ${ownershipMarker(owner)}`;
    assert.equal(ownerFromDescription(description), owner);
    assert.is(descriptionWithoutMarker(description), 'Uploads inputs of Acme.');
  }
  assert.equal(ownerFromDescription(ownershipMarker({ product: 'solo' })), { product: 'solo' });
});

test('descriptions without our exact marker are not ours', () => {
  const notOurs = [
    '',
    'Made by hand for acme',
    '[managed-by=terraform product=ml-batch client=acme]',
    // Marker present but not at the end: someone edited the description; do not claim it.
    '[managed-by=batch-workflows product=ml-batch client=acme] plus more text',
    'x [managed-by=batch-workflows client=acme]',
    'x [managed-by=batch-workflows product=ML client=acme]',
    'x[managed-by=batch-workflows product=ml-batch]',
  ];
  for (const d of notOurs) assert.is(ownerFromDescription(d), undefined, d);
  assert.is(ownerFromDescription(undefined), undefined);
  assert.is(ownerFromDescription(null), undefined);
  assert.is(descriptionWithoutMarker('Made by hand'), 'Made by hand');
});

test('condition titles written by conditionTitle read back with owner and purpose', () => {
  assert.equal(ownerFromConditionTitle(conditionTitle({ product: 'ml-batch', client: 'acme-corp' }, 'upload')), {
    owner: { product: 'ml-batch', client: 'acme-corp' },
    purpose: 'upload',
  });
  assert.equal(ownerFromConditionTitle(conditionTitle({ product: 'ml-batch' }, 'bucket-read')), {
    owner: { product: 'ml-batch' },
    purpose: 'bucket-read',
  });
});

test('foreign or malformed condition titles are not ours', () => {
  for (const title of [
    '',
    'expires_2025',
    'batch-workflows',
    'batch-workflows:p',
    'terraform:p:c:upload',
    'batch-workflows:p:c:upload:extra',
    'batch-workflows:P Q:upload',
    'batch-workflows::upload',
  ]) {
    assert.is(ownerFromConditionTitle(title), undefined, title);
  }
  assert.is(ownerFromConditionTitle(undefined), undefined);
});

test('labels mark ownership only with managed-by=batch-workflows and a product', () => {
  assert.equal(ownerFromLabels({ 'managed-by': 'batch-workflows', product: 'ml-batch', client: 'acme' }), { product: 'ml-batch', client: 'acme' });
  assert.equal(ownerFromLabels({ 'managed-by': 'batch-workflows', product: 'ml-batch' }), { product: 'ml-batch' });
  assert.equal(ownerFromLabels({ 'managed-by': 'batch-workflows', product: 'ml-batch', client: '' }), { product: 'ml-batch' });
  assert.is(ownerFromLabels({ 'managed-by': 'terraform', product: 'ml-batch' }), undefined);
  assert.is(ownerFromLabels({ 'managed-by': 'batch-workflows' }), undefined);
  assert.is(ownerFromLabels({ product: 'ml-batch', client: 'acme' }), undefined);
  assert.is(ownerFromLabels({}), undefined);
  assert.is(ownerFromLabels(null), undefined);
});

test.run();
