// DynamoDB Local as the local stack runs it: scripts/local-stack.ts compiles this file once (javac,
// cached under node_modules/.cache) and starts `java -cp <it>:DynamoDBLocal.jar DynamoDbLocal <flags>`
// with DynamoDB Local's own flags. It does the two things the jar cannot do by itself:
//
// - Listen on 127.0.0.1 only. DynamoDB Local 3.x hands Jetty a port and no address, so it listens on
//   every interface, and it has no flag for the address (`java -jar DynamoDBLocal.jar -help`). Here
//   the connector gets the loopback address before it starts. `-port 0` means any free port: the
//   port is chosen by the kernel when Jetty binds, so two starts can never race for one.
// - Stop when its parent is gone. The parent holds the write end of this process's stdin and never
//   writes to it: end of file means the parent exited, however it exited (kill -9 too: the kernel
//   closes its descriptors), and the JVM exits.
//
// Once it listens it prints one line, `DynamoDB Local listening on 127.0.0.1:<port>`: the parent's
// sign that this process, and not another one on that port, is ready.
import java.io.IOException;
import java.lang.reflect.Field;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public final class DynamoDbLocal {
  private static final String HOST = "127.0.0.1";

  public static void main(String[] args) throws Exception {
    exitWithParent();
    String[] flags = args.clone();
    int port = 8000;
    for (int i = 0; i + 1 < flags.length; i++) {
      if (flags[i].equals("-port")) {
        port = Integer.parseInt(flags[i + 1]);
        // DynamoDB Local's own parser refuses 0; the connector gets it below.
        if (port == 0) flags[i + 1] = "8000";
      }
    }
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(flags);
    if (proxy == null) System.exit(2); // -help, -version, or flags it refused (it said why)
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    ServerConnector connector = (ServerConnector) ((Server) field.get(proxy)).getConnectors()[0];
    connector.setHost(HOST);
    connector.setPort(port);
    try {
      // safeStart: Jetty's own start, which throws when it cannot listen (start() prints and goes on)
      // and sends no telemetry.
      proxy.safeStart();
    } catch (IOException error) {
      System.err.println("DynamoDB Local could not listen on " + HOST + ":" + port + ": " + error.getMessage());
      System.exit(1);
    }
    System.out.println("DynamoDB Local listening on " + HOST + ":" + connector.getLocalPort());
    System.out.flush();
  }

  /** Exits when stdin reaches its end (the parent is gone); halts if the shutdown hooks hang. */
  private static void exitWithParent() {
    Thread watch = new Thread(() -> {
      try {
        byte[] buffer = new byte[64];
        while (System.in.read(buffer) != -1) {
          // the parent never writes; anything read is ignored
        }
      } catch (IOException ignored) {
        // a broken pipe is the same news
      }
      Thread halt = new Thread(() -> {
        try {
          Thread.sleep(3_000);
        } catch (InterruptedException ignored) {
          // halting anyway
        }
        Runtime.getRuntime().halt(1);
      });
      halt.setDaemon(true);
      halt.start();
      System.exit(0);
    }, "parent-watch");
    watch.setDaemon(true);
    watch.start();
  }
}
