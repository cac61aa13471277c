// Load generator for bench/restart, in its own process so it does not starve the restarts:
// autocannon against argv[2] with argv[3] connections until the parent sends "stop".
import autocannon from "autocannon";

const [url, connections] = process.argv.slice(2);
const instance = autocannon(
  { url, connections: Number(connections), duration: 600, timeout: 10 },
  (error, result) => {
    if (!process.connected) return;
    process.send(
      error
        ? { error: String(error) }
        : { requests: result.requests.total, errors: result.errors + result.timeouts, non2xx: result.non2xx },
    );
    process.disconnect();
  },
);
process.on("message", (message) => message === "stop" && instance.stop());
process.send("started");
