"""What the tests share: the project's paths, servers on 127.0.0.1, the browser, the stores."""
