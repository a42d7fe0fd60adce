/**
 * `package.Message.field` → every google.api.field_behavior of that field, read from the .proto
 * sources beside protos.json: protobufjs keeps only the last value of a repeated option
 * (`[(google.api.field_behavior) = IMMUTABLE, (google.api.field_behavior) = OPTIONAL]` becomes
 * OPTIONAL), which would lose REQUIRED or OUTPUT_ONLY.
 */
export function protoFieldBehaviours(sources: readonly string[]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const source of sources) {
    // Strings and comments in one pass, so a `/*` inside a path template is not a comment.
    let text = source.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\/\/[^\n]*|\/\*[\s\S]*?\*\//g, (m) => (m.startsWith('/') ? '' : '""'));
    // Aggregate option values (`= { type: "..." }`, possibly nested) are not blocks: flatten them.
    for (let before = ''; before !== text; ) {
      before = text;
      text = text.replace(/=\s*\{[^{}]*\}/g, '= AGGREGATE');
    }
    const pkg = /\bpackage\s+([\w.]+)\s*;/.exec(text)?.[1] ?? '';
    const scope: { name: string | undefined }[] = [];
    const tokens = text.match(/[{};]|[^{};]+/g) ?? [];
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!.trim();
      if (token === '{' || token === '}' || token === ';' || !token) {
        if (token === '}') scope.pop();
        continue;
      }
      // A statement or block header: the next token says which.
      const next = tokens[i + 1]?.trim();
      if (next === '{') {
        const block = /^(message|enum|oneof|service|extend)\s+(\w+)/.exec(token);
        scope.push({ name: block && (block[1] === 'message' || block[1] === 'enum') ? block[2] : undefined });
        // A field with an option block (`Foo foo = 1 [(x) = { ... }]`) has no `{` of its own here,
        // as option values are in brackets; nothing else to do.
        continue;
      }
      const field = /^(?:repeated\s+|optional\s+)?(?:map\s*<[^>]+>|[\w.]+)\s+(\w+)\s*=\s*\d+\s*(\[[\s\S]*\])?$/.exec(token);
      if (!field?.[2]) continue;
      const behaviours = [...field[2].matchAll(/\(google\.api\.field_behavior\)\s*=\s*(\w+)/g)].map((m) => m[1]!);
      if (!behaviours.length) continue;
      const message = scope
        .map((s) => s.name)
        .filter(Boolean)
        .join('.');
      const camelName = field[1]!.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
      out.set(`${pkg}.${message}.${camelName}`, behaviours);
    }
  }
  return out;
}
