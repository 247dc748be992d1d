import { Avatar, Box, Group, Menu, Text, UnstyledButton } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { type SessionUser, useSignOut } from '../session';

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = parts.length > 1 ? [parts[0], parts[parts.length - 1]] : parts.slice(0, 1);
  return (
    letters
      .map((p) => Array.from(p ?? '')[0] ?? '')
      .join('')
      .toUpperCase() || '?'
  );
}

export function AccountMenu({ user }: { user: SessionUser }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const signOut = useSignOut();
  return (
    <Menu position="bottom-end" width={240} withinPortal withInitialFocusPlaceholder={false}>
      <Menu.Target>
        <UnstyledButton aria-label={t('account.menu', { name: user.name })} data-testid="account-menu">
          <Group gap={8} wrap="nowrap">
            <Avatar color="passage" radius="xl" size={34} aria-hidden="true">
              {initials(user.name)}
            </Avatar>
            <Text size="sm" fw={600} visibleFrom="sm" maw={160} truncate="end">
              {user.name}
            </Text>
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{t('account.signedInAs')}</Menu.Label>
        <Box px={12} pb={8}>
          <Text size="sm" fw={600} truncate="end">
            {user.name}
          </Text>
          <Text size="xs" c="dimmed" truncate="end">
            {user.email}
          </Text>
          <Text size="xs" c="dimmed">
            {t(`roles.${user.role}`, { defaultValue: user.role })}
          </Text>
        </Box>
        <Menu.Divider />
        {user.staff && user.secondFactor !== false && (
          <Menu.Item onClick={() => navigate('/console/security')} data-testid="menu-security">
            {t('security.menu')}
          </Menu.Item>
        )}
        <Menu.Item
          color="red.9"
          data-testid="sign-out"
          onClick={async () => {
            await signOut();
            navigate('/', { replace: true });
          }}
        >
          {t('account.signOut')}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
