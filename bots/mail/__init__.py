"""The e-mail channel: mailboxes read by IMAP, replies sent by SMTP through the outbox."""
