package dev.taskcert.server.grpc;

import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * Names the remote address of each call on the enrollment port, where callers have no identity
 * yet, for the per-address rate limit and the refusal audit. An IPv6 caller is named by its /64,
 * the block one host usually holds, so that cycling through its own addresses gains it nothing.
 */
public final class PeerAddresses implements ServerInterceptor {
  /** What no remote address could be read for. */
  public static final String UNKNOWN = "unknown";

  private static final Context.Key<String> KEY = Context.key("taskcert.peer-address");

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String peer = nameOf(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR));
    return Contexts.interceptCall(Context.current().withValue(KEY, peer), call, headers, next);
  }

  /** The calling address of the call being served, or {@link #UNKNOWN}. */
  public static String current() {
    String peer = KEY.get();
    return peer == null ? UNKNOWN : peer;
  }

  /** An IPv4 address as itself, an IPv6 address as its /64, anything else as {@link #UNKNOWN}. */
  static String nameOf(SocketAddress address) {
    if (!(address instanceof InetSocketAddress socket) || socket.getAddress() == null) {
      return UNKNOWN;
    }
    InetAddress ip = socket.getAddress();
    if (!(ip instanceof Inet6Address)) {
      return ip.getHostAddress();
    }
    byte[] bytes = ip.getAddress();
    StringBuilder prefix = new StringBuilder();
    for (int i = 0; i < 8; i += 2) {
      prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff))).append(':');
    }
    return prefix.append(":/64").toString();
  }
}
