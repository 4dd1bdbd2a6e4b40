INSERT INTO item (id, name) VALUES (1, 'goroutine'), (2, 'processor'), (3, 'netpoller');
