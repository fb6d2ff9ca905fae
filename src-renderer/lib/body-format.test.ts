import { describe, expect, it } from 'vitest';
import { bodyShape, hexDump } from './body-format';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('bodyShape', () => {
  it('pretty-prints JSON, tables a form, keeps text, shows raster images and calls the rest binary', () => {
    expect(bodyShape(bytes('{"a":[1,2]}'), 'application/json; charset=utf-8', false)).toEqual({ kind: 'json', pretty: '{\n  "a": [\n    1,\n    2\n  ]\n}', raw: '{"a":[1,2]}' });
    expect(bodyShape(bytes('a=1&b=x+y%21'), 'application/x-www-form-urlencoded', false)).toEqual({
      kind: 'form',
      fields: [
        ['a', '1'],
        ['b', 'x y!'],
      ],
      raw: 'a=1&b=x+y%21',
    });
    expect(bodyShape(bytes('{"cut'), 'application/json', true)).toEqual({ kind: 'text', raw: '{"cut' });
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47]);
    expect(bodyShape(png, 'image/png', false)).toEqual({ kind: 'image', type: 'image/png', dataUrl: 'data:image/png;base64,iVBORw==' });
    expect(bodyShape(png, 'image/png', true)).toEqual({ kind: 'binary' });
    expect(bodyShape(new Uint8Array([0, 1]), 'text/plain', false)).toEqual({ kind: 'binary' });
    expect(bodyShape(new Uint8Array(0), 'text/plain', false)).toEqual({ kind: 'empty' });
  });
});

describe('hexDump', () => {
  it('prints offset, 16 bytes in two groups and the printable characters', () => {
    expect(hexDump(bytes('HTTP/1.1 200 OK\r\nX'))).toBe(
      '00000000  48 54 54 50 2f 31 2e 31  20 32 30 30 20 4f 4b 0d  |HTTP/1.1 200 OK.|\n' + '00000010  0a 58                                             |.X|',
    );
    expect(hexDump(new Uint8Array(100), 32).split('\n')).toHaveLength(2);
  });
});
