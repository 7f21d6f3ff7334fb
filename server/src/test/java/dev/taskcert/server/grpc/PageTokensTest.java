package dev.taskcert.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PageTokensTest {
  @ParameterizedTest
  @ValueSource(strings = {"analytics_bucket", "données/タスク", "a"})
  void decodesTheKeysItEncodes(String key) {
    assertEquals(key, PageTokens.decode(PageTokens.encode(key)));
  }

  @Test
  void readsAnEmptyTokenAsTheFirstPage() {
    assertEquals("", PageTokens.decode(""));
  }

  @ParameterizedTest
  @ValueSource(strings = {"not base64!", "YQA", "_2E"})
  void refusesTokensThatDoNotDecodeToAKey(String token) {
    // "YQA" decodes to "a" and a NUL, "_2E" to a byte that is not UTF-8
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> PageTokens.decode(token));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertEquals("page_token is not a token this server issued", e.getStatus().getDescription());
  }

  @Test
  void refusesOverlongTokens() {
    String token = Base64.getUrlEncoder().withoutPadding().encodeToString(new byte[800]);
    assertEquals(Status.Code.INVALID_ARGUMENT,
        assertThrows(StatusRuntimeException.class, () -> PageTokens.decode(token)).getStatus().getCode());
  }
}
