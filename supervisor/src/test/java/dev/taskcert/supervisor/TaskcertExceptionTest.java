package dev.taskcert.supervisor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.EnumSet;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TaskcertExceptionTest {
  /** The subclass every gRPC status code is thrown as. */
  private static final Map<Status.Code, Class<? extends TaskcertException>> EXPECTED = Map.ofEntries(
      Map.entry(Status.Code.PERMISSION_DENIED, TaskcertException.PermissionDenied.class),
      Map.entry(Status.Code.FAILED_PRECONDITION, TaskcertException.TaskNotLive.class),
      Map.entry(Status.Code.UNAUTHENTICATED, TaskcertException.NotAuthenticated.class),
      Map.entry(Status.Code.INVALID_ARGUMENT, TaskcertException.InvalidRequest.class),
      Map.entry(Status.Code.OUT_OF_RANGE, TaskcertException.InvalidRequest.class),
      Map.entry(Status.Code.NOT_FOUND, TaskcertException.NotFound.class),
      Map.entry(Status.Code.UNAVAILABLE, TaskcertException.Unavailable.class),
      Map.entry(Status.Code.DEADLINE_EXCEEDED, TaskcertException.Unavailable.class),
      Map.entry(Status.Code.RESOURCE_EXHAUSTED, TaskcertException.Unavailable.class),
      Map.entry(Status.Code.OK, TaskcertException.Failed.class),
      Map.entry(Status.Code.CANCELLED, TaskcertException.Failed.class),
      Map.entry(Status.Code.UNKNOWN, TaskcertException.Failed.class),
      Map.entry(Status.Code.ALREADY_EXISTS, TaskcertException.Failed.class),
      Map.entry(Status.Code.ABORTED, TaskcertException.Failed.class),
      Map.entry(Status.Code.UNIMPLEMENTED, TaskcertException.Failed.class),
      Map.entry(Status.Code.INTERNAL, TaskcertException.Failed.class),
      Map.entry(Status.Code.DATA_LOSS, TaskcertException.Failed.class));

  @Test
  void theTableCoversEveryStatusCode() {
    assertEquals(EnumSet.allOf(Status.Code.class), EnumSet.copyOf(EXPECTED.keySet()));
  }

  @ParameterizedTest
  @EnumSource(Status.Code.class)
  void eachStatusCodeMapsToItsSubclassKeepingCodeDescriptionAndCause(Status.Code code) {
    StatusRuntimeException cause = code.toStatus().withDescription("why it failed").asRuntimeException();
    TaskcertException mapped = TaskcertException.from(cause);
    assertEquals(EXPECTED.get(code), mapped.getClass());
    assertEquals(code, mapped.code());
    assertEquals(code + ": why it failed", mapped.getMessage());
    assertSame(cause, mapped.getCause());
  }
}
