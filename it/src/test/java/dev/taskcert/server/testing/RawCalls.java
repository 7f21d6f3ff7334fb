package dev.taskcert.server.testing;

import static dev.taskcert.server.testing.Statuses.codeOf;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.TimeUnit;

/** Unary calls of any method by name with raw request bytes, for tests that enumerate methods. */
public final class RawCalls {
  private static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };

  private RawCalls() {}

  /** Calls {@code method} with {@code bytes} as the request; the call must fail, and its code is returned. */
  public static Status.Code refusal(Channel channel, String method, byte[] bytes) {
    return codeOf(() -> call(channel, method, bytes));
  }

  /** Calls {@code method} with {@code bytes}; returns the status it ended with ({@code OK} on success). */
  public static Status status(Channel channel, String method, byte[] bytes) {
    try {
      call(channel, method, bytes);
      return Status.OK;
    } catch (StatusRuntimeException e) {
      return e.getStatus();
    }
  }

  private static byte[] call(Channel channel, String method, byte[] bytes) {
    MethodDescriptor<byte[], byte[]> descriptor = MethodDescriptor.<byte[], byte[]>newBuilder()
        .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName(method)
        .setRequestMarshaller(RAW).setResponseMarshaller(RAW).build();
    return ClientCalls.blockingUnaryCall(channel, descriptor,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), bytes);
  }
}
