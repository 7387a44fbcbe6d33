"""The bundled demo: sample Arabic outlets (data), and a loopback server that serves them like real sites."""
