CREATE TABLE item (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL);
CREATE ALIAS SLOW_QUERY FOR 'dev.gonetpoll.examples.webflux.SlowQueries.slowQuery';
