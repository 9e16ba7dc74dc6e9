import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { answerClientError } from '../../src/api/error-answers.js';
import { ERROR_STATUS } from '../../src/core/errors.js';

/** A socket that records what is written to it and whether it was destroyed. */
function fakeSocket(state: { writable?: boolean; destroyed?: boolean } = {}) {
  const socket = {
    writable: state.writable ?? true,
    destroyed: state.destroyed ?? false,
    written: '',
    destroyedWith: undefined as unknown,
    write(text: string) {
      socket.written += text;
      return true;
    },
    destroy(error?: unknown) {
      socket.destroyed = true;
      socket.destroyedWith = error;
    },
  };
  return socket;
}

function parserError(code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`parse failed: ${code}`), { code });
}

describe("answerClientError: what Node's HTTP parser refuses", () => {
  const cases: [parserCode: string, status: number, code: string][] = [
    ['HPE_HEADER_OVERFLOW', 431, 'HEADERS_TOO_LARGE'],
    ['ERR_HTTP_REQUEST_TIMEOUT', 408, 'REQUEST_TIMEOUT'],
    ['HPE_INVALID_METHOD', 400, 'INVALID_REQUEST'],
    ['HPE_UNEXPECTED_CONTENT_LENGTH', 400, 'INVALID_REQUEST'],
  ];
  for (const [parserCode, status, code] of cases) {
    it(`answers ${parserCode} with ${status} ${code} in the catalogue shape, then closes`, () => {
      const socket = fakeSocket();
      const error = parserError(parserCode);
      answerClientError(error, socket as unknown as Socket);
      const [head = '', body = ''] = socket.written.split('\r\n\r\n');
      assert.match(head, new RegExp(`^HTTP/1\\.1 ${status} `));
      assert.match(head, /\r\nContent-Type: application\/json/);
      assert.match(head, new RegExp(`\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`));
      assert.match(head, /\r\nConnection: close/);
      const parsed = JSON.parse(body);
      assert.equal(parsed.error.code, code);
      assert.equal(ERROR_STATUS[parsed.error.code as keyof typeof ERROR_STATUS], status);
      assert.ok(parsed.error.message.length > 10);
      assert.equal(socket.destroyedWith, error);
    });
  }

  it('writes nothing to a reset or unwritable connection', () => {
    const reset = fakeSocket();
    answerClientError(parserError('ECONNRESET'), reset as unknown as Socket);
    assert.equal(reset.written, '');
    const closing = fakeSocket({ writable: false });
    answerClientError(parserError('HPE_INVALID_METHOD'), closing as unknown as Socket);
    assert.equal(closing.written, '');
    assert.equal(closing.destroyed, true);
  });
});
