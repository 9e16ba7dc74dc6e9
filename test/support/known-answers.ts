/**
 * The signing known answers of DESIGN.md ("Signing"), taken from the Standard Webhooks reference
 * libraries: every signer and verifier in the repository (core, CLI, SDK, documented snippets) is
 * tested against these.
 */
export const STANDARD_WEBHOOKS_ANSWER = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

/** X-Webhook-Signature: the body alone, `sha256=` and hex. */
export const BODY_SIGNATURE_ANSWER = {
  secret: "It's a Secret to Everybody",
  body: 'Hello, World!',
  signature: 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17',
};
