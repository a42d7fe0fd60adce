/**
 * The readers behind scripts/extract-api-schemas.ts on small fixtures in the sources' own formats,
 * so they are tested without gcloud: apitools message and client modules, protos.json, and the
 * .proto field behaviours protobufjs drops.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readApitools, readProtos } from '../../scripts/schema-sources.ts';
import { protoFieldBehaviours } from '../../scripts/proto-behaviours.ts';

const MESSAGES = `
class Thing(_messages.Message):
  r"""A thing.

  Enums:
    KindValueValuesEnum: Required. The kind.

  Messages:
    LabelsValue: Optional. Labels.

  Fields:
    createTime: Output only. When it was made, which takes a long
      description over two lines.
    kind: Required. The kind.
    labels: Optional. Labels.
    parts: The parts.
    size: Size in bytes.
    extra: Anything.
  """

  class KindValueValuesEnum(_messages.Enum):
    r"""Required. The kind.

    Values:
      KIND_UNSPECIFIED: Unset.
      BIG: Big.
    """
    KIND_UNSPECIFIED = 0
    BIG = 1

  @encoding.MapUnrecognizedFields('additionalProperties')
  class LabelsValue(_messages.Message):
    r"""Optional. Labels.

    Fields:
      additionalProperties: Additional properties of type LabelsValue
    """

    class AdditionalProperty(_messages.Message):
      r"""An additional property for a LabelsValue object.

      Fields:
        key: Name of the additional property.
        value: A string attribute.
      """

      key = _messages.StringField(1)
      value = _messages.StringField(2)

    additionalProperties = _messages.MessageField('AdditionalProperty', 1, repeated=True)

  createTime = _messages.StringField(1)
  kind = _messages.EnumField('KindValueValuesEnum', 2)
  labels = _messages.MessageField('LabelsValue', 3)
  parts = _messages.MessageField('Part', 4, repeated=True)
  size = _messages.IntegerField(5, variant=_messages.Variant.INT32)
  extra = _messages.MessageField('extra_types.JsonValue', 6)


class Part(_messages.Message):
  r"""A part.

  Fields:
    name: The name.
  """

  name = _messages.StringField(1)


class ThingsCreateRequest(_messages.Message):
  r"""A ThingsCreateRequest object.

  Fields:
    parent: Required. The parent.
    thing: A Thing resource to be passed as the request body.
    thingId: Required. The id.
  """

  parent = _messages.StringField(1, required=True)
  thing = _messages.MessageField('Thing', 2)
  thingId = _messages.StringField(3)
`;

const CLIENT = `
    Create.method_config = lambda: base_api.ApiMethodInfo(
        flat_path='v1/projects/{projectsId}/things',
        http_method='POST',
        method_id='things.projects.things.create',
        ordered_params=['parent'],
        path_params=['parent'],
        query_params=['thingId'],
        relative_path='v1/{+parent}/things',
        request_field='thing',
        request_type_name='ThingsCreateRequest',
        response_type_name='Thing',
        supports_download=False,
    )
`;

test('apitools: fields, docstring behaviours, enums (names only), maps folded, JsonValue, method config', () => {
  const out = readApitools(MESSAGES, CLIENT, 'things.v1', ['things.projects.things.create']);
  assert.equal(out.methods.get('things.projects.things.create'), {
    http: 'POST v1/projects/{projectsId}/things',
    request: 'things.v1.ThingsCreateRequest',
    body: 'thing',
    path: ['parent'],
    query: ['thingId'],
  });
  assert.equal(out.messages.get('things.v1.Thing'), {
    fields: {
      createTime: { type: 'string', behavior: ['OUTPUT_ONLY'] },
      kind: { enum: 'things.v1.Thing.KindValueValuesEnum', behavior: ['REQUIRED'] },
      labels: { type: 'string', map: 'string' },
      parts: { message: 'things.v1.Part', repeated: true },
      size: { type: 'int32' },
      extra: { type: 'google.protobuf.Value' },
    },
  });
  assert.equal(out.enums.get('things.v1.Thing.KindValueValuesEnum'), { KIND_UNSPECIFIED: null, BIG: null });
  assert.equal(out.messages.get('things.v1.ThingsCreateRequest')!.fields.thingId, { type: 'string', behavior: ['REQUIRED'] });
  assert.not.ok(out.messages.has('things.v1.Thing.LabelsValue'), 'map entry messages are not kept');
});

test('protos.json: types resolved from the enclosing scope, maps, repeated, well-known types; behaviours from the .proto', () => {
  const root = {
    nested: {
      acme: {
        nested: {
          v1: {
            nested: {
              Things: { methods: { CreateThing: { requestType: 'CreateThingRequest', options: { '(google.api.http).post': '/v1/{parent=projects/*}/things', '(google.api.http).body': 'thing' } } } },
              CreateThingRequest: { fields: { parent: { type: 'string' }, thing: { type: 'Thing' }, thing_id: { type: 'string' } } },
              Thing: {
                fields: {
                  name: { type: 'string', options: { '(google.api.field_behavior)': 'OPTIONAL' } },
                  state: { type: 'State' },
                  labels: { keyType: 'string', type: 'string' },
                  tags: { rule: 'repeated', type: 'string' },
                  createTime: { type: 'google.protobuf.Timestamp' },
                },
                nested: { State: { values: { STATE_UNSPECIFIED: 0, ON: 1 } } },
              },
            },
          },
        },
      },
      google: { nested: { protobuf: { nested: { Timestamp: { fields: { seconds: { type: 'int64' } } } } } } },
    },
  };
  const proto = `syntax = "proto3";
package acme.v1;
// A comment with "quotes" and /* a path */ in it.
message Thing {
  string name = 1 [
    (google.api.field_behavior) = IDENTIFIER,
    (google.api.field_behavior) = REQUIRED,
    (google.api.resource_reference) = { type: "acme/Thing" }
  ];
  message Inner { int32 n = 1 [(google.api.field_behavior) = OUTPUT_ONLY]; }
}
`;
  const behaviours = protoFieldBehaviours([proto]);
  assert.equal(behaviours.get('acme.v1.Thing.name'), ['IDENTIFIER', 'REQUIRED']);
  assert.equal(behaviours.get('acme.v1.Thing.Inner.n'), ['OUTPUT_ONLY']);
  const out = readProtos(root as any, ['acme.v1.Things.CreateThing'], behaviours);
  assert.equal(out.methods.get('acme.v1.Things.CreateThing'), { http: 'POST /v1/{parent=projects/*}/things', request: 'acme.v1.CreateThingRequest', body: 'thing', path: ['parent'] });
  assert.equal(out.messages.get('acme.v1.Thing'), {
    fields: {
      name: { type: 'string', behavior: ['REQUIRED', 'IDENTIFIER'] },
      state: { enum: 'acme.v1.Thing.State' },
      labels: { type: 'string', map: 'string' },
      tags: { type: 'string', repeated: true },
      createTime: { type: 'google.protobuf.Timestamp' },
    },
  });
  assert.equal(out.enums.get('acme.v1.Thing.State'), { STATE_UNSPECIFIED: 0, ON: 1 });
  assert.not.ok(out.messages.has('google.protobuf.Timestamp'), 'well-known types are checked by their JSON mapping, not kept');
});

test.run();
