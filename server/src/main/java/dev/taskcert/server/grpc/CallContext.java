package dev.taskcert.server.grpc;

import io.grpc.Context;
import io.grpc.Status;

/** The per-call facts the {@link AuthenticationInterceptor} establishes for service code. */
public final class CallContext {
  static final Context.Key<Principal> PRINCIPAL = Context.key("taskcert.principal");
  static final Context.Key<String> METHOD = Context.key("taskcert.method");

  private CallContext() {}

  /**
   * The authenticated caller of the current RPC.
   *
   * @throws io.grpc.StatusRuntimeException UNAUTHENTICATED when the call carries no verified
   *     certificate (for example an RPC that needs mutual TLS arriving on the enrollment port)
   */
  public static Principal principal() {
    Principal principal = PRINCIPAL.get();
    if (principal == null) {
      throw Status.UNAUTHENTICATED
          .withDescription("this RPC requires mutual TLS with a valid client certificate")
          .asRuntimeException();
    }
    return principal;
  }

  /** The SPIFFE ID of the current RPC's caller, or {@code null} outside an authenticated RPC. */
  public static String callerIdOrNull() {
    Principal principal = PRINCIPAL.get();
    return principal == null ? null : principal.spiffeId();
  }

  /** The full gRPC method name of the current RPC, or {@code null} outside one. */
  public static String method() {
    return METHOD.get();
  }
}
