"""What the VK and Viber adapters share: the client conversation (messages and buttons
become commands for the core), the texts clients read, and parking failed platform events."""
