// Runs autocannon in its own process (so the load does not starve the test's event loop) until
// the parent sends "stop", then sends the figures back over IPC.
import autocannon from "autocannon";

const [url, connections, maxSeconds] = process.argv.slice(2);
const instance = autocannon(
  { url, connections: Number(connections), duration: Number(maxSeconds), timeout: 10 },
  (error, result) => {
    if (!process.connected) return;
    if (error) process.send({ error: String(error) });
    else
      process.send({
        requests: result.requests.total,
        errors: result.errors + result.timeouts,
        non2xx: result.non2xx,
      });
    process.disconnect();
  },
);
process.on("message", (message) => {
  if (message === "stop") instance.stop();
});
process.send("started");
