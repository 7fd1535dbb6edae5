// The network side: one WebSocket, one protocol line per text message.
// Nothing else in the client touches WebSocket.

/**
 * Connect to `url`. `onLine(text)` gets each line the server sends;
 * `onClose()` is called once when the connection is gone, for any reason.
 */
export function connect(url, { onOpen, onLine, onClose }) {
  const socket = new WebSocket(url);
  let open = false;
  socket.addEventListener('open', () => {
    open = true;
    onOpen();
  });
  socket.addEventListener('message', (event) => {
    if (typeof event.data === 'string') onLine(event.data);
  });
  socket.addEventListener('close', () => {
    open = false;
    onClose();
  });
  return {
    send(line) {
      if (open) socket.send(line);
    },
    close() {
      open = false;
      socket.close();
    },
  };
}
