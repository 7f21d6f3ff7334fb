package dev.taskcert.bench.jwt;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.jsonwebtoken.Claims;
import io.jsonwebtoken.JwtException;
import io.jsonwebtoken.JwtParser;
import java.util.UUID;

/**
 * The shared-secret design's authentication, as a gRPC server interceptor: every call must carry
 * {@code authorization: Bearer <JWT>}, whose signature and claims are verified on every call; the
 * task-instance id from its subject is handed to the service. Refusals are UNAUTHENTICATED.
 */
public final class JwtAuthenticationInterceptor implements ServerInterceptor {
  /** The call metadata key carrying the token. */
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  /** The verified task-instance id of the current call. */
  public static final Context.Key<UUID> TASK_INSTANCE_ID = Context.key("task-instance-id");

  private static final String BEARER = "Bearer ";

  private final JwtParser verifier;

  public JwtAuthenticationInterceptor(JwtParser verifier) {
    this.verifier = verifier;
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String header = headers.get(AUTHORIZATION);
    if (header == null || !header.startsWith(BEARER)) {
      return refuse(call, "missing bearer token");
    }
    UUID taskInstanceId;
    try {
      Claims claims = verifier.parseSignedClaims(header.substring(BEARER.length())).getPayload();
      taskInstanceId = UUID.fromString(claims.getSubject());
    } catch (JwtException | IllegalArgumentException | NullPointerException e) {
      return refuse(call, "invalid token");
    }
    return Contexts.interceptCall(Context.current().withValue(TASK_INSTANCE_ID, taskInstanceId), call, headers, next);
  }

  private static <Q, R> ServerCall.Listener<Q> refuse(ServerCall<Q, R> call, String reason) {
    call.close(Status.UNAUTHENTICATED.withDescription(reason), new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
