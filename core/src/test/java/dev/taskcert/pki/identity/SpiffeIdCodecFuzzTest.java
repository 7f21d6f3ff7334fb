package dev.taskcert.pki.identity;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Fuzzes the SPIFFE-ID codec both ways: any text given to {@link SpiffeIdCodec#parse} is either
 * refused with {@link InvalidIdentityException} or is exactly the canonical encoding of what it
 * parsed to, and any identity built from arbitrary fields is either refused with that exception or
 * survives {@code parse(encode(id))} unchanged.
 */
class SpiffeIdCodecFuzzTest {
  private static final TrustDomain TRUST_DOMAIN = new TrustDomain("taskcert.example");
  private static final SpiffeIdCodec CODEC = new SpiffeIdCodec(TRUST_DOMAIN);
  private static final String PREFIX = "spiffe://" + TRUST_DOMAIN.name() + "/";

  @FuzzTest
  void parseAcceptsOnlyCanonicalIdsAndEveryIdentityRoundTrips(FuzzedDataProvider data) {
    String spiffeId = data.consumeBoolean() ? PREFIX + text(data, 600) : text(data, 600);
    parsedIdIsCanonical(spiffeId);
    if (data.consumeBoolean()) {
      encodedTaskParsesBack(data);
    } else {
      encodedAdminParsesBack(text(data, 80));
    }
  }

  private static void parsedIdIsCanonical(String spiffeId) {
    WorkloadIdentity parsed;
    try {
      parsed = CODEC.parse(spiffeId);
    } catch (InvalidIdentityException refused) {
      return;
    }
    assertEquals(spiffeId, CODEC.encode(parsed), "parse accepted a non-canonical spelling");
  }

  private static void encodedTaskParsesBack(FuzzedDataProvider data) {
    TaskIdentity identity;
    try {
      identity = new TaskIdentity(
          text(data, 260), text(data, 260), text(data, 260), data.consumeInt(), data.consumeInt());
    } catch (InvalidIdentityException refused) {
      return;
    }
    roundTrips(identity);
  }

  private static void encodedAdminParsesBack(String name) {
    AdminIdentity identity;
    try {
      identity = new AdminIdentity(name);
    } catch (InvalidIdentityException refused) {
      return;
    }
    roundTrips(identity);
  }

  private static void roundTrips(WorkloadIdentity identity) {
    String encoded;
    try {
      encoded = CODEC.encode(identity);
    } catch (InvalidIdentityException tooLong) {
      return;
    }
    assertEquals(identity, CODEC.parse(encoded), "identity changed in parse(encode(id)): " + encoded);
  }

  /**
   * Text of up to {@code maxLength} characters; sometimes with one arbitrary UTF-16 unit (an
   * unpaired surrogate, a NUL) spliced in, which plain fuzzed strings rarely contain.
   */
  private static String text(FuzzedDataProvider data, int maxLength) {
    String text = data.consumeString(maxLength);
    if (!data.consumeBoolean()) {
      return text;
    }
    int at = data.consumeInt(0, text.length());
    return text.substring(0, at) + data.consumeChar() + text.substring(at);
  }
}
