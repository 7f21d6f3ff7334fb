package dev.taskcert.supervisor.channel;

import dev.taskcert.pki.crypto.SignatureProvider;
import dev.taskcert.supervisor.credentials.TaskCredentials;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiFunction;

/**
 * A channel whose credentials can be swapped without failing calls: each swap builds a new
 * mutual-TLS channel presenting the new certificate, routes every new call to it, and shuts the
 * previous channel down gracefully, so calls already running on it finish undisturbed. A
 * connection therefore never outlives the certificate it was opened with by more than the
 * in-flight calls it still carries. A rotation that completes while or after the channel is
 * closed shuts its new channel down at once, so closing never leaves a connection behind.
 */
public final class RotatingChannel extends Channel implements AutoCloseable {
  private final String target;
  private final BiFunction<String, TaskCredentials, ManagedChannel> factory;
  private final AtomicReference<ManagedChannel> current = new AtomicReference<>();
  private volatile boolean closed;

  public RotatingChannel(String target, TaskCredentials initial) {
    this(target, initial, ClientTls::mutualTlsChannel);
  }

  /** A channel that checks the server's chain with {@code signatures}' provider. */
  public RotatingChannel(String target, TaskCredentials initial, SignatureProvider signatures) {
    this(target, initial, (to, credentials) -> ClientTls.mutualTlsChannel(to, credentials, signatures));
  }

  RotatingChannel(String target, TaskCredentials initial, BiFunction<String, TaskCredentials, ManagedChannel> factory) {
    this.target = target;
    this.factory = factory;
    current.set(open(initial));
  }

  private ManagedChannel open(TaskCredentials credentials) {
    ManagedChannel channel = factory.apply(target, credentials);
    channel.getState(true); // start the handshake now, not on the first call
    return channel;
  }

  /** Routes new calls through a channel that presents {@code credentials}. */
  public void rotate(TaskCredentials credentials) {
    if (closed) {
      return;
    }
    ManagedChannel fresh = open(credentials);
    ManagedChannel retired;
    synchronized (this) {
      // close() may have run while the new channel was opening: then it is the one to retire.
      retired = closed ? fresh : current.getAndSet(fresh);
    }
    retired.shutdown(); // in-flight calls complete; no new ones start on it
  }

  @Override
  public <Q, R> ClientCall<Q, R> newCall(MethodDescriptor<Q, R> method, CallOptions options) {
    return current.get().newCall(method, options);
  }

  @Override
  public String authority() {
    return current.get().authority();
  }

  @Override
  public void close() {
    ManagedChannel channel;
    synchronized (this) {
      closed = true;
      channel = current.get();
    }
    channel.shutdown();
    try {
      if (!channel.awaitTermination(5, TimeUnit.SECONDS)) {
        channel.shutdownNow();
      }
    } catch (InterruptedException e) {
      channel.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }
}
