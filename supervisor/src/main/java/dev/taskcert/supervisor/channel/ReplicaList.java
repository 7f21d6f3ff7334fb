package dev.taskcert.supervisor.channel;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * A fixed list of server replicas, {@code host:port,host:port,...}, for client-side round robin
 * without a load balancer: every replica gets calls, and one that goes away is skipped until it
 * answers again. The first host is the TLS authority, so every replica's certificate must name it
 * (replicas of one deployment share {@code server_names}).
 */
final class ReplicaList extends NameResolverProvider {
  static final String SCHEME = "taskcert-replicas";

  private final List<InetSocketAddress> replicas;
  private final String authority;

  private ReplicaList(List<InetSocketAddress> replicas, String authority) {
    this.replicas = List.copyOf(replicas);
    this.authority = authority;
  }

  /** Whether {@code target} names several replicas rather than one {@code host:port}. */
  static boolean isList(String target) {
    return target.contains(",");
  }

  /**
   * The replicas of {@code target}.
   *
   * @throws IllegalArgumentException naming the entry that is not {@code host:port}
   */
  static ReplicaList parse(String target) {
    List<InetSocketAddress> replicas = new ArrayList<>();
    String authority = null;
    for (String entry : target.split(",")) {
      String trimmed = entry.trim();
      int colon = trimmed.lastIndexOf(':');
      if (colon <= 0 || colon == trimmed.length() - 1) {
        throw new IllegalArgumentException("'" + trimmed + "' in target '" + target + "' is not host:port");
      }
      String host = trimmed.substring(0, colon);
      int port;
      try {
        port = Integer.parseInt(trimmed.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("'" + trimmed + "' in target '" + target + "' has no port number");
      }
      replicas.add(new InetSocketAddress(host, port));
      if (authority == null) {
        authority = host;
      }
    }
    return new ReplicaList(replicas, authority);
  }

  /** The host every replica's TLS certificate must be valid for. */
  String authority() {
    return authority;
  }

  /** The channel target this resolver answers. */
  String target() {
    return SCHEME + ":///replicas";
  }

  @Override
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    if (!SCHEME.equals(targetUri.getScheme())) {
      return null;
    }
    return new NameResolver() {
      @Override
      public String getServiceAuthority() {
        return authority;
      }

      @Override
      public void start(Listener2 listener) {
        listener.onResult(ResolutionResult.newBuilder()
            .setAddresses(replicas.stream().map(EquivalentAddressGroup::new).toList())
            .build());
      }

      @Override
      public void shutdown() {}
    };
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5;
  }

  @Override
  public String getDefaultScheme() {
    return SCHEME;
  }

  @Override
  public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
    return List.of(InetSocketAddress.class);
  }
}
