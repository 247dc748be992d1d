import { Container, Paper, Stack, Text, Title } from '@mantine/core';
import type { ReactNode } from 'react';
import classes from '../shell.module.css';

/** The narrow, centred card that sign-in and setup share. */
export function AuthCard({
  title,
  intro,
  children,
}: {
  title: string;
  intro?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className={classes.authPage}>
      <Container size={460} px={0}>
        <Paper withBorder shadow="sm" p={{ base: 'lg', sm: 'xl' }} radius="md">
          <Stack gap="lg">
            <Stack gap={6}>
              <Title order={1} size="h2">
                {title}
              </Title>
              {intro && <Text c="dimmed">{intro}</Text>}
            </Stack>
            {children}
          </Stack>
        </Paper>
      </Container>
    </div>
  );
}
